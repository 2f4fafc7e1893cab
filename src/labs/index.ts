import arquitetura from './arquitetura/lab.ts';
import client from './client/lab.ts';
import daemon from './daemon/lab.ts';
import host from './host/lab.ts';
import registries from './registries/lab.ts';
import fluxo from './fluxo/lab.ts';
import porQue from './por-que/lab.ts';
import { labCatalog } from './lab-definition.ts';

/** Every lab, by id, in the order of the lessons they sit beside. */
export const labs = labCatalog([arquitetura, client, daemon, host, registries, fluxo, porQue]);
export { defineLab, labCatalog, labDefinitionSchema, LabDefinitionError, type LabDefinition } from './lab-definition.ts';
