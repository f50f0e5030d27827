/**
 * Limits that a peer can see: what a client may send and what a server will
 * accept. Each has a unit, a default and a reason. Servers take these as
 * defaults and may be configured tighter or looser; local limits that no peer
 * sees live in each part's settings.
 */

/**
 * Largest frame, counted with its 4-byte length prefix (RocketMQ's
 * `com.rocketmq.remoting.frameMaxLength`). Past it a peer is either broken or
 * hostile, so the connection is closed.
 */
export const frameSizeMaxBytes = 16 * 1024 * 1024;

/** Largest header. Headers are small maps; 64 KiB leaves room for big batches of keys. */
export const headerSizeMaxBytes = 64 * 1024;

/** Smallest well-formed frame: length word plus header word. */
export const frameSizeMinBytes = 8;

/** Largest message body a broker stores (RocketMQ `maxMessageSize`, 4 MiB). */
export const messageSizeMaxBytes = 4 * 1024 * 1024;

/** Largest encoded properties string (the record stores its length as a signed short). */
export const propertiesSizeMaxBytes = 32767;

/** Longest topic name (RocketMQ's TopicValidator). */
export const topicLengthMax = 127;

/** Longest retry/DLQ topic name (`%RETRY%` and `%DLQ%` topics get more room). */
export const systemTopicLengthMax = 255;

/** Most messages in one SEND_BATCH_MESSAGE. */
export const batchMessagesMax = 1024;

/** Most queues a topic may have (read or write). */
export const topicQueuesMax = 1024;

/** Idle time after which a server closes a connection (RocketMQ: 120 s). */
export const connectionIdleTimeoutMs = 120_000;

// The largest message and its header must fit inside one frame.
if (messageSizeMaxBytes + headerSizeMaxBytes + frameSizeMinBytes > frameSizeMaxBytes) {
  throw new Error('limits: a maximal message does not fit in a maximal frame');
}
