// The list of post-parse checks, in the order keepalived runs them.
import type { Check } from '../validate.js';

export const checks: Check[] = [];
