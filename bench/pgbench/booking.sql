-- The raw-SQL ceiling for one POST /v1/bookings of a free slot (run by bench/bookings.ts):
-- lock the adviser, check the diary for an overlapping session, create the session,
-- upsert the customer, insert the booking, in one transaction. Each transaction takes the
-- next slot of a shuffled list of distinct free slots (bench_slots, the same list the HTTP
-- benchmark books), so the clients spread over many advisers. The slot lookup rides on the
-- locking statement, so this is 7 round trips: BEGIN, lock, check, 3 inserts, COMMIT.
-- :org is set with -D org=<partner organisation id>. The attendance work the service added to
-- a booking's transaction (event, attendance record, show score) is deliberately not here:
-- this stays the same yardstick before and after it (only arranged_at, NOT NULL since
-- migration 0003, is set).
BEGIN;
SELECT a.id AS adviser, f.n AS n, f.site_id AS site, coalesce(f.room_id::text, '') AS room, f.type_id AS type,
       f.starts_at AS starts, f.ends_at AS ends, f.busy_until AS busy_until, f.capacity AS capacity
  FROM bench_slots f JOIN advisers a ON a.id = f.adviser_id
 WHERE f.n = (SELECT nextval('bench_slot_seq'))
   FOR NO KEY UPDATE OF a \gset
SELECT count(*) AS clashes FROM sessions s
 WHERE (s.adviser_id = :adviser OR s.room_id = NULLIF(:room, '')::uuid) AND s.busy && tstzrange(:starts, :busy_until) \gset
\if :clashes = 0
INSERT INTO sessions (id, adviser_id, site_id, room_id, appointment_type_id, starts_at, ends_at, busy, capacity)
VALUES (gen_random_uuid(), :adviser, :site, NULLIF(:room, '')::uuid, :type, :starts, :ends, tstzrange(:starts, :busy_until, '[)'), :capacity)
RETURNING id AS session \gset
INSERT INTO customers (id, client_id, reference, name, mobile, email, preferred_channel, consent_to_contact)
VALUES (gen_random_uuid(), :org, 'PGB-' || :n, 'Sam Taylor', '+447911123456', 'sam@example.com', 'sms', true)
ON CONFLICT (client_id, reference) DO UPDATE SET name = excluded.name, mobile = excluded.mobile, email = excluded.email,
  preferred_channel = excluded.preferred_channel, consent_to_contact = excluded.consent_to_contact, updated_at = now()
RETURNING id AS customer \gset
INSERT INTO bookings (id, session_id, customer_id, organisation_id, adviser_id, site_id, room_id, appointment_type_id, starts_at, ends_at, status,
                      referral_source, referrer_name, referral_reason, referral_mandatory, arranged_at)
VALUES (gen_random_uuid(), :session, :customer, :org, :adviser, :site, NULLIF(:room, '')::uuid, :type, :starts, :ends, 'booked',
        'partner', 'J. Okafor', 'Career change', false, now());
\endif
COMMIT;
