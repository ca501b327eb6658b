/** nnU-Net v2's constants (ExperimentPlanner.__init__, default_experiment_planner.py). */
export const NNUNET = {
  anisotropyThreshold: 3,
  baseFeatures: 32,
  referenceVal3d: 560e6,
  referenceVal2d: 85e6,
  referenceGB: 8,
  referenceBatch3d: 2,
  referenceBatch2d: 12,
  minEdge: 4,
  minBatch: 2,
  maxFeatures2d: 512,
  maxFeatures3d: 320,
  maxDatasetCovered: 0.05,
  lowresThreshold: 0.25,
  lowresSpacingFactor: 1.03,
} as const;
