'use strict';
// Preloaded (node -r) into an emulator that is not our own code: exit when the process that forked it goes away,
// which closes the IPC channel even when that process was killed with kill -9.
process.on('disconnect', () => process.exit(0));
