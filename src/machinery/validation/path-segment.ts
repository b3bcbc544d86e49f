/**
 * Names that become one segment of a URL path or a storage key (apimachinery's
 * api/validation/path rules): never `.` or `..`, never containing `/` or `%`.
 */

const RESERVED = ['.', '..'];
const FORBIDDEN_SUBSTRINGS = ['/', '%'];

/** Problems with `name` as a path segment; empty when it is safe. */
export function pathSegmentNameProblems(name: string): string[] {
  if (RESERVED.includes(name)) return [`may not be '${name}'`];
  return FORBIDDEN_SUBSTRINGS.filter((s) => name.includes(s)).map((s) => `may not contain '${s}'`);
}
