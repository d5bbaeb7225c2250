/** Pruner and importance-criterion contracts: declared in `@omniprune/plugin-api`. */
export type {
  PruneCandidate,
  ProposeContext,
  Pruner,
  BlockImportance,
  ChannelImportance,
  HeadImportance,
  Criterion,
  StructureKind,
} from '@omniprune/plugin-api';
