/** A field of a form or query as the string a browser sends; '' for anything else a forger might (an array, an object, nothing). */
export const formField = (source: unknown, name: string): string => {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};
