/**
 * ONNX Runtime 1.29 and later ship telemetry on Linux and macOS (1DS): every process that creates a
 * session writes a device id and an event queue under ~/.cache/Microsoft/DeveloperTools/.onnxruntime
 * and /tmp/mat-debug-<pid>.log, and, once it has run long enough, resolves
 * mobile.events.data.microsoft.com to upload the queue (found by the air-gap test). Kestrel makes no
 * network use and leaves no such trace. ORT_DISABLE_TELEMETRY=1 turns all of it off; ORT reads it
 * once, when its first session is created, so it is set here, by the module that loads ORT, in the
 * process's real environment (the main thread's; inference threads share it).
 */
process.env['ORT_DISABLE_TELEMETRY'] = '1';
