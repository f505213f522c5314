import { configFor } from '@frequency/eslint-config';

export default configFor({ kind: 'pipeline-tests' });
