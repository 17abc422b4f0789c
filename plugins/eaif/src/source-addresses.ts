/** Where an application may connect from: the kernel's allow-list of client accounts. */
export { SourceAddresses } from '@openmmsc/core';
