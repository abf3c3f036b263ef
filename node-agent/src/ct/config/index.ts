// The container config model: lxc/<ctid>.conf on the guests' line-preserving document, the key schema,
// validation, path safety and the typed view the LXC compiler reads.
export * from './ct-conf';
export * from './ct-keys';
export * from './ct-net';
export * from './mount-point';
export * from './paths';
export * from './raw-lxc';
export * from './typed';
export * from './validate';
