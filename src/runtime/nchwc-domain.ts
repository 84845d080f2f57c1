// The operator set of ONNX Runtime's blocked-channel CPU kernels (src/passes/nchwc.ts).
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';
