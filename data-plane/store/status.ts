/**
 * Outcomes of store operations, as values. Names follow RocketMQ's
 * `PutMessageStatus` and `GetMessageStatus` so a broker can map each one to a
 * response code in one table.
 */

export const PutMessageStatus = {
  PUT_OK: 'PUT_OK',
  /** Stored, but the flush to disk did not finish within `syncFlushTimeoutMs`. */
  FLUSH_DISK_TIMEOUT: 'FLUSH_DISK_TIMEOUT',
  FLUSH_SLAVE_TIMEOUT: 'FLUSH_SLAVE_TIMEOUT',
  SLAVE_NOT_AVAILABLE: 'SLAVE_NOT_AVAILABLE',
  /** Store closed, not writable, or the disk is full (see `reason`). */
  SERVICE_NOT_AVAILABLE: 'SERVICE_NOT_AVAILABLE',
  CREATE_MAPPED_FILE_FAILED: 'CREATE_MAPPED_FILE_FAILED',
  /** Body too large, topic too long or empty, bad queue id, empty batch. */
  MESSAGE_ILLEGAL: 'MESSAGE_ILLEGAL',
  PROPERTIES_SIZE_EXCEEDED: 'PROPERTIES_SIZE_EXCEEDED',
  OS_PAGE_CACHE_BUSY: 'OS_PAGE_CACHE_BUSY',
  UNKNOWN_ERROR: 'UNKNOWN_ERROR',
} as const;
export type PutMessageStatus = (typeof PutMessageStatus)[keyof typeof PutMessageStatus];

export const GetMessageStatus = {
  FOUND: 'FOUND',
  NO_MATCHED_MESSAGE: 'NO_MATCHED_MESSAGE',
  MESSAGE_WAS_REMOVING: 'MESSAGE_WAS_REMOVING',
  OFFSET_FOUND_NULL: 'OFFSET_FOUND_NULL',
  OFFSET_OVERFLOW_BADLY: 'OFFSET_OVERFLOW_BADLY',
  OFFSET_OVERFLOW_ONE: 'OFFSET_OVERFLOW_ONE',
  OFFSET_TOO_SMALL: 'OFFSET_TOO_SMALL',
  NO_MATCHED_LOGIC_QUEUE: 'NO_MATCHED_LOGIC_QUEUE',
  NO_MESSAGE_IN_QUEUE: 'NO_MESSAGE_IN_QUEUE',
} as const;
export type GetMessageStatus = (typeof GetMessageStatus)[keyof typeof GetMessageStatus];

/** Why a put was refused, beside its status, for logs and response remarks. */
export const PutRefusalReason = {
  STORE_CLOSED: 'store is closed',
  DISK_FULL: 'disk is full: usage is above the refuse ratio',
  NOT_WRITABLE: 'store is not writable after an I/O error',
  BODY_TOO_LARGE: 'message body is larger than messageSizeMaxBytes',
  TOPIC_TOO_LONG: 'topic is longer than topicLengthMax',
  TOPIC_EMPTY: 'topic is empty',
  TOPIC_INVALID: 'topic holds a path separator or is a dot name',
  CREATE_SEGMENT_FAILED: 'a new CommitLog segment could not be created',
  QUEUE_ID_INVALID: 'queueId is negative or not an integer',
  PROPERTIES_TOO_LARGE: 'properties are longer than propertiesSizeMaxBytes',
  BATCH_EMPTY: 'batch holds no message',
  BATCH_MIXED: 'batch mixes topics or queues',
  BATCH_TOO_LARGE: 'batch records do not fit in one CommitLog segment or in the write buffer',
  RECORD_TOO_LARGE: 'record does not fit in one CommitLog segment',
} as const;
export type PutRefusalReason = (typeof PutRefusalReason)[keyof typeof PutRefusalReason];
