// Path safety for container mounts: where a mount point may sit inside the container (`mp=`) and which host paths
// may be bind-mounted into it. Checked on the text when a config is validated, and again on the realpath at start,
// because a symlink on the host can point a harmless-looking source at /proc or /dev.
import { AppError } from '../../api/errors';

/** Kernel and device trees: mounting over them in a container, or exposing the host's, breaks isolation. */
export const FORBIDDEN_TREES = ['/proc', '/sys', '/dev'] as const;

const under = (path: string, tree: string): boolean => path === tree || path.startsWith(`${tree}/`);

/** Why `path` is not an absolute, normalized path (no `.`/`..`, `//`, trailing `/`, spaces or controls), or undefined. */
export const absolutePathProblem = (path: string): string | undefined => {
  if (!path.startsWith('/')) return `"${path}" must be an absolute path`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(path)) return `"${path}" must not contain spaces or control characters`;
  if (path === '/') return undefined;
  if (path.endsWith('/') || path.includes('//')) return `"${path}" must be normalized (no // and no trailing /)`;
  if (path.split('/').some((part) => part === '.' || part === '..')) return `"${path}" must not contain . or ..`;
  return undefined;
};

/** Why `path` cannot be a mount point inside the container (`mp=`), or undefined. */
export const mountTargetProblem = (path: string): string | undefined => {
  const problem = absolutePathProblem(path);
  if (problem !== undefined) return problem;
  if (path === '/') return '"/" is the root file system (rootfs), not a mount point';
  const tree = FORBIDDEN_TREES.find((t) => under(path, t));
  return tree === undefined ? undefined : `"${path}" is under ${tree}, which the container's runtime owns`;
};

/** Why host `path` cannot be bind-mounted into a container, or undefined. */
export const bindSourceProblem = (path: string): string | undefined => {
  const problem = absolutePathProblem(path);
  if (problem !== undefined) return problem;
  if (path === '/') return 'the host\'s root "/" cannot be bind-mounted';
  const tree = FORBIDDEN_TREES.find((t) => under(path, t));
  return tree === undefined ? undefined : `"${path}" is under the host's ${tree}`;
};

/**
 * The start-time check: `realpath` is the bind source with every symlink resolved on the node. Throws AppError
 * invalid-params naming the key, so a container never starts with /proc, /sys or /dev of the host inside it.
 */
export const checkBindSource = (realpath: string, key = 'mount point'): void => {
  const problem = bindSourceProblem(realpath);
  if (problem !== undefined)
    throw new AppError('invalid-params', `${key}: the bind source resolves to ${realpath}: ${problem}`, {
      key,
      realpath,
    });
};
