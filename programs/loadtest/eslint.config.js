import { configFor } from '@frequency/eslint-config';

export default configFor({ kind: 'package' });
