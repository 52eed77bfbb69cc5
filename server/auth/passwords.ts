// Password hashing lives with the accounts (server/users/passwords.ts, on the users face); this
// re-export serves the seed until it takes hashPassword from the face.
export { hashPassword } from '../users';
