export function cpuFlags(): Set<string>;
export const AVX512_CORE_FLAGS: string[];
export function isaAddon(march: string): string | undefined;
