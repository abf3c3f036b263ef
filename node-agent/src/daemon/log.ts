// Daemon logs: one line each on stderr with a timestamp (stdout is never used: on the bridge it is protocol).
export const logLine = (message: string): void => {
  process.stderr.write(
    `${new Date().toISOString()} hyperdesk-agent[${process.pid}]: ${message.replace(/\s*\n\s*/g, ' ')}\n`,
  );
};
