// @ironlb/core/election: MetalLB's stateless layer 2 owner election. See election.ts.
export { electionOrder, electOwner } from "./election.ts";
