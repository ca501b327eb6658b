/** What the explorer's pages give its shell (`main.ts`): kept apart so pages and the shell import it, not each other. */

/** A page: mounts into `root`, returns its clean-up (stop render loops, dispose tensors). */
export interface Page {
  id: string;
  title: string;
  mount(root: HTMLElement): (() => void) | Promise<() => void>;
}
