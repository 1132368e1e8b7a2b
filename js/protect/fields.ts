/** Reading and replacing a field of plain JSON data by a dotted path (`'contact.email'`). */
export { getPath, setPath } from '../messages/protected.ts';
