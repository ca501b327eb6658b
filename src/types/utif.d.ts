// Minimal declarations for the parts of utif 3.1.0 used by src/io/readers.ts (the package ships no types).
declare module 'utif' {
  export interface IFD {
    [tag: string]: unknown;
    width?: number;
    height?: number;
    isLE?: boolean;
    data?: Uint8Array;
  }
  export function decode(buff: ArrayBuffer | Uint8Array): IFD[];
  export function decodeImage(buff: ArrayBuffer | Uint8Array, img: IFD, ifds?: IFD[]): void;
  const UTIF: { decode: typeof decode; decodeImage: typeof decodeImage };
  export default UTIF;
}
