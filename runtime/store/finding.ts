// What a record's finding says, shared by both channels' stores: types.ts (the 2021 channel's
// rejections and sent warnings) and slash-types.ts (SLASH's), which types.ts itself extends.

/** Where in the source a record's finding is, which rule, and what follows from it. */
export interface RecordFinding {
  file: string | null;
  line: number | null;
  path: string;
  rule: string;
  message: string;
  consequence: string;
}
