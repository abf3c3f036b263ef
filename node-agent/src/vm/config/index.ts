// The VM config model: qemu-server/<vmid>.conf as a line-preserving document, the key schema, validation and the
// typed view the QEMU compiler reads.
export * from './conf-document';
export * from './description';
export * from './drive';
export * from './keys';
export * from './net';
export * from './property-string';
export * from './typed';
export * from './validate';
export * from './pending-view';
