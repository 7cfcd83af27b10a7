export const PROJECTION_RUNNER = Symbol('ProjectionRunner');
export const READ_SIDE_OPTIONS = Symbol('ReadSideOptions');

export interface ReadSideOptions {
  /** Command line: catch up with the whole store before each read. */
  catchUpBeforeRead: boolean;
  /** Service: keep the read models following the store in the background. */
  follow: boolean;
}
