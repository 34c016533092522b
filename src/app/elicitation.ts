/**
 * @module A server's question mid-call as a front end asks it: the question and answer types, and the field
 * helpers a terminal uses to prompt for each value and check the answer against the server's schema.
 */
export type { ElicitationAnswer, ElicitationPrompt, ElicitationQuestion } from '../agent/elicitation.js';
export {
  checkContent,
  type ElicitationField,
  elicitationFields,
  type ElicitationSchema,
  type ElicitationValue,
  parseFieldInput,
} from '../agent/elicitation-schema.js';
