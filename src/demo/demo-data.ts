/**
 * The demo dataset: the five areas of the DWP worklessness co-design report, each with a
 * jobcentre, a library or community venue and a college, and careers advisers whose week
 * is spread over two or three of them, as co-located advisers' weeks are.
 */
export const APPOINTMENT_TYPES = [
  {
    code: 'SKILLS_HEALTH_CHECK',
    name: 'Skills Health Check',
    durationMinutes: 60,
    capacity: 1,
    channel: 'face_to_face',
    bufferMinutes: 15,
    description: 'A look at your skills, interests and motivations with a careers adviser, and the jobs and courses they could lead to.',
    whatToBring: 'Your CV if you have one, and any qualifications certificates.',
  },
  {
    code: 'CAREERS_GUIDANCE',
    name: 'Careers guidance interview',
    durationMinutes: 45,
    capacity: 1,
    channel: 'face_to_face',
    bufferMinutes: 15,
    description: 'A one-to-one conversation with a qualified careers adviser to agree a plan for your next steps into work or learning.',
    whatToBring: 'Your CV if you have one, and any job adverts or courses you are interested in.',
  },
  { code: 'FOLLOW_UP', name: 'Follow-up session', durationMinutes: 30, capacity: 1, channel: 'face_to_face', bufferMinutes: 10 },
  { code: 'TELEPHONE_FOLLOW_UP', name: 'Telephone follow-up', durationMinutes: 20, capacity: 1, channel: 'telephone', bufferMinutes: 5 },
  { code: 'CV_WORKSHOP', name: 'CV workshop', durationMinutes: 120, capacity: 8, channel: 'face_to_face', bufferMinutes: 0 },
] as const;

const ONE_TO_ONE = ['SKILLS_HEALTH_CHECK', 'CAREERS_GUIDANCE', 'FOLLOW_UP', 'TELEPHONE_FOLLOW_UP'];

type SiteKey = 'jobcentre' | 'venue' | 'college';

interface Area {
  name: string;
  sites: Record<SiteKey, { name: string; kind: string; address: string; postcode: string; openingHours?: Record<string, { open: string; close: string }> }>;
  advisers: { name: string; patterns: { site: SiteKey; weekdays: string[]; startTime: string; endTime: string; types: string[]; room?: boolean }[] }[];
}

const WEEKDAY_HOURS = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI'].map((d) => [d, { open: '09:00', close: '17:00' }]));

export const AREAS: Area[] = [
  {
    name: 'Birmingham',
    sites: {
      jobcentre: { name: 'Birmingham Newtown Jobcentre', kind: 'jobcentre', address: '1 Newtown Row, Birmingham', postcode: 'B6 4AA', openingHours: WEEKDAY_HOURS },
      venue: { name: 'Library of Birmingham', kind: 'library', address: 'Centenary Square, Broad Street, Birmingham', postcode: 'B1 2ND' },
      college: { name: 'Birmingham Metropolitan College', kind: 'college', address: 'Jennens Road, Birmingham', postcode: 'B4 7PS' },
    },
    advisers: [
      {
        name: 'Priya Shah',
        patterns: [
          { site: 'jobcentre', weekdays: ['MON', 'THU'], startTime: '09:30', endTime: '16:30', types: ONE_TO_ONE },
          { site: 'venue', weekdays: ['TUE'], startTime: '10:00', endTime: '15:00', types: ONE_TO_ONE },
        ],
      },
      {
        name: 'Daniel Okoro',
        patterns: [
          { site: 'college', weekdays: ['WED'], startTime: '13:00', endTime: '16:00', types: ['CV_WORKSHOP'], room: true },
          { site: 'jobcentre', weekdays: ['TUE', 'FRI'], startTime: '09:00', endTime: '12:30', types: ONE_TO_ONE },
        ],
      },
    ],
  },
  {
    name: 'Bradford',
    sites: {
      jobcentre: { name: 'Bradford Eastbrook Jobcentre', kind: 'jobcentre', address: 'Eastbrook Court, Bradford', postcode: 'BD1 5AA', openingHours: WEEKDAY_HOURS },
      venue: { name: 'Keighley Community Centre', kind: 'community', address: 'Albert Street, Keighley', postcode: 'BD21 3JB' },
      college: { name: 'Bradford College', kind: 'college', address: 'Great Horton Road, Bradford', postcode: 'BD7 1AY' },
    },
    advisers: [
      {
        name: 'Aisha Rahman',
        patterns: [
          { site: 'jobcentre', weekdays: ['MON', 'WED'], startTime: '09:00', endTime: '17:00', types: ONE_TO_ONE },
          { site: 'venue', weekdays: ['THU'], startTime: '10:00', endTime: '14:00', types: ['CAREERS_GUIDANCE', 'FOLLOW_UP'] },
        ],
      },
      {
        name: 'Tom Whitaker',
        patterns: [
          { site: 'college', weekdays: ['TUE', 'THU'], startTime: '09:00', endTime: '13:00', types: ONE_TO_ONE },
          { site: 'jobcentre', weekdays: ['FRI'], startTime: '09:00', endTime: '16:00', types: ONE_TO_ONE },
        ],
      },
    ],
  },
  {
    name: 'Lewisham',
    sites: {
      jobcentre: { name: 'Lewisham Jobcentre', kind: 'jobcentre', address: '6 Rushey Green, Catford, London', postcode: 'SE6 4JF', openingHours: WEEKDAY_HOURS },
      venue: { name: 'Lewisham Library', kind: 'library', address: '199-201 Lewisham High Street, London', postcode: 'SE13 6LG' },
      college: { name: 'Lewisham College', kind: 'college', address: 'Lewisham Way, London', postcode: 'SE4 1UT' },
    },
    advisers: [
      {
        name: 'Grace Mensah',
        patterns: [
          { site: 'jobcentre', weekdays: ['MON', 'TUE', 'THU'], startTime: '09:30', endTime: '16:30', types: ONE_TO_ONE },
          { site: 'venue', weekdays: ['WED'], startTime: '10:00', endTime: '16:00', types: ONE_TO_ONE },
        ],
      },
      {
        name: 'Liam Byrne',
        patterns: [
          { site: 'college', weekdays: ['MON'], startTime: '10:00', endTime: '12:00', types: ['CV_WORKSHOP'], room: true },
          { site: 'college', weekdays: ['MON'], startTime: '13:00', endTime: '16:00', types: ONE_TO_ONE },
          { site: 'jobcentre', weekdays: ['WED', 'FRI'], startTime: '09:00', endTime: '13:00', types: ONE_TO_ONE },
        ],
      },
    ],
  },
  {
    name: 'South Tyneside',
    sites: {
      jobcentre: { name: 'South Shields Jobcentre', kind: 'jobcentre', address: 'Keppel Street, South Shields', postcode: 'NE33 1AA', openingHours: WEEKDAY_HOURS },
      venue: { name: 'The Word, National Centre for the Written Word', kind: 'library', address: 'Market Place, South Shields', postcode: 'NE33 1JF' },
      college: { name: 'South Tyneside College', kind: 'college', address: 'St George\'s Avenue, South Shields', postcode: 'NE34 6ET' },
    },
    advisers: [
      {
        name: 'Kevin Armstrong',
        patterns: [
          { site: 'jobcentre', weekdays: ['TUE', 'WED', 'THU'], startTime: '09:00', endTime: '16:00', types: ONE_TO_ONE },
          { site: 'venue', weekdays: ['FRI'], startTime: '10:00', endTime: '13:00', types: ONE_TO_ONE },
        ],
      },
      {
        name: 'Hannah Clarke',
        patterns: [
          { site: 'college', weekdays: ['MON', 'WED'], startTime: '09:30', endTime: '15:30', types: ONE_TO_ONE },
          { site: 'college', weekdays: ['FRI'], startTime: '13:00', endTime: '15:00', types: ['CV_WORKSHOP'], room: true },
        ],
      },
    ],
  },
  {
    name: 'Swindon',
    sites: {
      jobcentre: { name: 'Swindon Jobcentre', kind: 'jobcentre', address: 'Wyvern House, Theatre Square, Swindon', postcode: 'SN1 1QN', openingHours: WEEKDAY_HOURS },
      venue: { name: 'Swindon Central Library', kind: 'library', address: 'Regent Circus, Swindon', postcode: 'SN1 1QG' },
      college: { name: 'New College Swindon', kind: 'college', address: 'New College Drive, Swindon', postcode: 'SN3 1AH' },
    },
    advisers: [
      {
        name: 'Sophie Turner',
        patterns: [
          { site: 'jobcentre', weekdays: ['MON', 'FRI'], startTime: '09:00', endTime: '16:00', types: ONE_TO_ONE },
          { site: 'venue', weekdays: ['WED'], startTime: '10:00', endTime: '14:00', types: ONE_TO_ONE },
          { site: 'college', weekdays: ['THU'], startTime: '13:00', endTime: '16:00', types: ONE_TO_ONE },
        ],
      },
    ],
  },
];

export const DEMO_CUSTOMERS = [
  { reference: 'JCP-1001', name: 'Sam Taylor', mobile: '07911 123456', email: 'sam.taylor@example.com', preferredChannel: 'sms', consentToContact: true },
  { reference: 'JCP-1002', name: 'Jordan Ali', mobile: '07700 100200', email: 'jordan.ali@example.com', preferredChannel: 'sms', consentToContact: true },
  { reference: 'JCP-1003', name: 'Chris Evans', email: 'chris.evans@example.com', preferredChannel: 'email', consentToContact: true },
  { reference: 'JCP-1004', name: 'Maria Santos', mobile: '07800 654321', preferredChannel: 'sms', consentToContact: true },
];
