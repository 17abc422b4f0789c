export { SimulatedVasp, type SimulatedVaspOptions, type VaspAnswer, type VaspReceived } from './simulated-vasp.js';
