/**
 * A double click on a button often lands its second click on what the first one put there (the
 * order view that replaces the checkout form, the queue that replaces the join panel), and the
 * browser then selects the words under the pointer, up to the whole new panel. `user-select: none`
 * on buttons cannot help: the pointer is no longer over one. So the clicks after the first of a
 * sequence that began on a button select nothing; a sequence that begins anywhere else selects as
 * usual, and a fan can still double-click a ticket code to copy it.
 */
export function keepButtonClicksFromSelecting(doc: Document): void {
  let startedOnButton = false;
  doc.addEventListener(
    'mousedown',
    (event) => {
      if (event.detail <= 1) {
        startedOnButton = event.target instanceof Element && event.target.closest('button') !== null;
      } else if (startedOnButton) {
        event.preventDefault();
      }
    },
    { capture: true },
  );
}
