import arquitetura from './arquitetura/lab.ts';
import registries from './registries/lab.ts';
import { labCatalog } from './lab-definition.ts';

/** Every lab, by id. */
export const labs = labCatalog([arquitetura, registries]);
export { defineLab, labCatalog, labDefinitionSchema, LabDefinitionError, type LabDefinition } from './lab-definition.ts';
