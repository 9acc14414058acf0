/** One problem with an input, named by its field path ("muscles[2].side") in words a therapist understands. */
export interface ValidationIssue {
  /** Field path in dotted/bracket form, e.g. `muscles[2].side`; empty for the whole document. */
  readonly path: string;
  /** The whole sentence, path included: "muscles[2].side must be left or right". */
  readonly message: string;
}
