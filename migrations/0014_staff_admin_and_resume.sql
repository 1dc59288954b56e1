-- Staff administration and sign-in again mid-form (issue 10).

-- An account an admin has switched off: it cannot sign in and its sessions are ended. Kept,
-- not deleted, because bookings, outcomes and events name the people who made them.
ALTER TABLE staff ADD COLUMN deactivated_at timestamptz;

-- A form posted after its session ended: the fields typed (never a password), the page that
-- showed the form, and whose session it was. Held on the fresh, signed-out session the browser
-- is given (its random token, hashed, is the key), and put back into the form only if the same
-- person signs in; it ends with that short-lived session.
ALTER TABLE staff_sessions ADD COLUMN resume jsonb;
