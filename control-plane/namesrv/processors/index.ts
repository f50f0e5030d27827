/**
 * The name server's processor table: one line per request code it serves.
 * Codes not listed are answered REQUEST_CODE_NOT_SUPPORTED by the remoting
 * server, as a Java name server answers them.
 */
import { RequestCode } from '../../../sdk/protocol/requests/index.ts';
import type { RequestProcessor } from '../../../sdk/remoting/server.ts';
import { queryDataVersionProcessor, registerBrokerProcessor, unregisterBrokerProcessor } from './broker.ts';
import type { NamesrvContext } from './context.ts';
import { deleteKVConfigProcessor, getKVConfigProcessor, getKVListByNamespaceProcessor, putKVConfigProcessor } from './kv-config.ts';
import {
  addWritePermProcessor,
  deleteTopicProcessor,
  getAllTopicListProcessor,
  getBrokerClusterInfoProcessor,
  getRouteInfoByTopicProcessor,
  getTopicsByClusterProcessor,
  getTopicsWithSysFlagProcessor,
  unitSubTopicFlag,
  unitTopicFlag,
  wipeWritePermProcessor,
} from './route.ts';

export function namesrvProcessors(context: NamesrvContext): ReadonlyArray<readonly [code: number, processor: RequestProcessor]> {
  return [
    [RequestCode.PUT_KV_CONFIG, putKVConfigProcessor(context)],
    [RequestCode.GET_KV_CONFIG, getKVConfigProcessor(context)],
    [RequestCode.DELETE_KV_CONFIG, deleteKVConfigProcessor(context)],
    [RequestCode.GET_KVLIST_BY_NAMESPACE, getKVListByNamespaceProcessor(context)],
    [RequestCode.REGISTER_BROKER, registerBrokerProcessor(context)],
    [RequestCode.UNREGISTER_BROKER, unregisterBrokerProcessor(context)],
    [RequestCode.QUERY_DATA_VERSION, queryDataVersionProcessor(context)],
    [RequestCode.GET_ROUTEINFO_BY_TOPIC, getRouteInfoByTopicProcessor(context)],
    [RequestCode.GET_BROKER_CLUSTER_INFO, getBrokerClusterInfoProcessor(context)],
    [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, getAllTopicListProcessor(context)],
    [RequestCode.GET_TOPICS_BY_CLUSTER, getTopicsByClusterProcessor(context)],
    [RequestCode.GET_UNIT_TOPIC_LIST, getTopicsWithSysFlagProcessor(context, unitTopicFlag)],
    [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, getTopicsWithSysFlagProcessor(context, unitSubTopicFlag)],
    [RequestCode.DELETE_TOPIC_IN_NAMESRV, deleteTopicProcessor(context)],
    [RequestCode.WIPE_WRITE_PERM_OF_BROKER, wipeWritePermProcessor(context)],
    [RequestCode.ADD_WRITE_PERM_OF_BROKER, addWritePermProcessor(context)],
  ];
}
