/**
 * Text for one YAML comment line. A comment ends at a line break, and may hold only printable characters
 * (YAML 1.2 nb-char): line breaks of YAML 1.1 and 1.2 (`\n`, `\r`, NEL, LS, PS), other C0 and C1 controls, DEL,
 * the byte order mark, U+FFFE/U+FFFF and unpaired surrogates all become spaces, so no input can end the comment
 * early, start a line of YAML, or make the stream unreadable. Tab stays.
 */
export function yamlComment(text: string): string {
  return text.replace(/[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/gu, ' ');
}
