// What a chart page and the screenshot agree on: the global the page's model is set in before the
// page's script runs, and the mark the script leaves on <body> once it has drawn. Both sides import
// these names from here so neither spells them on its own.
export const MODEL_GLOBAL = 'PAGE_MODEL';
export const DRAWN_ATTRIBUTE = 'data-drawn';
export const DRAWN_SELECTOR = `body[${DRAWN_ATTRIBUTE}="yes"]`;
