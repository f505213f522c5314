/** The event the contract seeds and `/` shows. */
export const seededEventId = 'frequency-20xx';
