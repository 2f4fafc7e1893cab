// The lab beside the architecture lessons: one client driving its own daemon and a second host's.
import { defineLab } from '../lab-definition.ts';

export default defineLab('src/labs/arquitetura/lab.ts', {
  id: 'arquitetura',
  lesson: 'arquitetura/fluxo',
  title: {
    'pt-BR': 'Client, daemon e registry na prática',
    en: 'Client, daemon and registry in practice',
  },
  hosts: 2,
});
