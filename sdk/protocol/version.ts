/**
 * Product versions of the command header. Every RocketMQ
 * process sends its `MQVersion.Version` ordinal in each command's `version`
 * field, and the servers change behaviour on a few of them (route JSON form,
 * ACL signature of unique-key queries, GO_AWAY). The enum has a `_SNAPSHOT`
 * entry before each release, so within 4.9.x and 5.x consecutive patch
 * releases are 2 apart: ordinal(x.y.z) = ordinal(x.y.0) + 2z.
 */

/** Ordinals of the releases the protocol decisions depend on. */
export const MQVersion = {
  V3_0_0_SNAPSHOT: 0,
  V4_0_0: 213,
  V4_5_0: 313,
  V4_7_0: 353,
  V4_9_0: 393,
  V4_9_3: 399,
  V4_9_4: 401,
  V4_9_8: 409,
  V5_0_0: 413,
  V5_1_0: 433,
  V5_1_4: 441,
  V5_2_0: 453,
  V5_3_0: 473,
  V5_3_1: 475,
  V5_3_2: 477,
  V5_3_3: 479,
} as const;

/** The fixed `version` rocketmq-client-go v2 sends. */
export const goClientVersion = 317;

/** The version Apogee announces: the newest RocketMQ release it speaks. */
export const currentVersion = MQVersion.V5_3_3;

/**
 * The ordinal of a 4.9.x or 5.x release, from its minor line's first release.
 * Returns undefined for lines the table does not anchor.
 */
export function versionOrdinal(major: number, minor: number, patch: number): number | undefined {
  const base = (MQVersion as Record<string, number>)[`V${major}_${minor}_0`];
  if (base === undefined || !Number.isInteger(patch) || patch < 0) return undefined;
  return base + 2 * patch;
}

/** Whether a name-server route answer must be standard JSON for this requester. */
export function wantsStandardRouteJson(requestVersion: number, acceptStandardJsonOnly: boolean | undefined): boolean {
  return acceptStandardJsonOnly === true || requestVersion >= MQVersion.V4_9_4;
}
