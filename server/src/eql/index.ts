// Public API of the EQL front end. Other layers import from here only.
export { parseEql } from './parser';
