import { CANCELLED_BY, type CancelDto } from '../../bookings/dto/bookings.dto';
import type { FieldError } from '../book/customer-form';

export interface CancelForm {
  by: string;
  reason: string;
}

/** The cancel form as typed: who is cancelling and why, in plain words next to each field. */
export function checkCancelForm(form: CancelForm): { errors: FieldError[]; cancel?: CancelDto } {
  const errors: FieldError[] = [];
  const by = CANCELLED_BY.find((b) => b === form.by);
  const reason = form.reason.trim();
  if (!by) errors.push({ href: '#by', text: 'Select who is cancelling' });
  if (!reason) errors.push({ href: '#reason', text: 'Enter why the appointment is cancelled' });
  else if (reason.length > 1000) errors.push({ href: '#reason', text: 'Reason must be 1000 characters or fewer' });
  return errors.length || !by ? { errors } : { errors, cancel: { by, reason } };
}
