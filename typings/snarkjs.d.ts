// Declarations for the parts of snarkjs (untyped JavaScript) that the ceremony CLI calls.
declare module "snarkjs" {
  type Logger = { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void };
  export interface Curve {
    terminate(): Promise<void>;
  }
  export const curves: {
    getCurveFromName(name: string): Promise<Curve>;
  };
  export const r1cs: {
    info(r1csFile: string, logger?: Logger): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number; nVars: number }>;
  };
  export const powersOfTau: {
    newAccumulator(curve: Curve, power: number, file: string, logger?: Logger): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: Logger): Promise<void>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    beacon(oldZkey: string, newZkey: string, name: string, beaconHash: string, iterationsExp: number, logger?: Logger): Promise<Uint8Array | false>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>;
    exportVerificationKey(zkey: string | Uint8Array, logger?: Logger): Promise<object>;
  };
}
