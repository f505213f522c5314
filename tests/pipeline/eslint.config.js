import { config } from '@frequency/eslint-config';

export default config;
