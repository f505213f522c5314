import { configFor } from '@frequency/eslint-config';

export default configFor({ kind: 'app', name: 'waiting-room' });
