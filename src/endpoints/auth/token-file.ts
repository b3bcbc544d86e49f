/**
 * `--token-auth-file`, in kube-apiserver's CSV format: `token,user,uid[,"group1,group2"]`, one
 * per line; columns after the fourth are ignored; fewer than three is an error naming the line.
 */
import type { UserInfo } from '../api-call.js';

/** Splits one CSV record (RFC 4180 quoting: `"a,b"`, `""` for a quote), as Go's csv reader. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('unterminated quoted field');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw new Error('extraneous text after a quoted field');
    } else {
      const comma = line.indexOf(',', i);
      field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      i = comma < 0 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** Parses a token file; throws with the file's line number on a malformed line. */
export function parseTokenFile(text: string, fileName: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let fields: string[];
    try {
      fields = csvFields(line);
    } catch (err) {
      throw new Error(`token file '${fileName}' line ${index + 1}: ${(err as Error).message}`);
    }
    if (fields.length < 3) throw new Error(`token file '${fileName}' must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    const [token = '', name = '', uid = '', groups = ''] = fields;
    if (token === '') return;
    const user: UserInfo = { name, groups: groups === '' ? [] : groups.split(',').filter((g) => g !== '') };
    if (uid !== '') user.uid = uid;
    tokens.set(token, user);
  });
  return tokens;
}
