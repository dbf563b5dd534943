/** Design of UEP codes: the window distribution Γ that minimises the expected loss at a deadline. */
export * from './simplex.ts';
export * from './objective.ts';
export * from './optimise.ts';
export * from './gamma.ts';
export * from './table.ts';
export * from './fig3-design.ts';
export * from './fig3-extras.ts';
export * from './monte-carlo-design.ts';
export * from './energy.ts';
