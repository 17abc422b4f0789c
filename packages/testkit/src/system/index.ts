export { requireSystem, systemCommand, SKIP_DIR_ENV, REQUIRE_ALL_ENV, type SystemSkipRecord } from './require-system.js';
export { COMPONENTS, DEBIAN_PYTHON, componentProblem, findCommand, type SystemComponent, type ComponentProblem } from './components.js';
