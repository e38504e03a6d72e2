// 简体中文: the texts of i18n/webhooks.ts. Tones are badge classes, the same in every language.
import type { Translation } from '../locale';
import type { WebhookDeliveryCatalog, WebhookHealthCatalog, WebhookTextsCatalog } from '../webhooks';

export const webhookHealthZhCN: Translation<WebhookHealthCatalog> = {
  HEALTHY: { label: '正常', tone: 'success', notice: null },
  WARNING: {
    label: '警告',
    tone: 'warning',
    notice: '其端点已连续失败 3 次或以上。Tradehub 会继续重试；请确认端点正常运行。',
  },
  UNHEALTHY: {
    label: '异常',
    tone: 'danger',
    notice: '其端点已持续失败一小时或更久。失败满 24 小时后，该 Webhook 将被停用，待投递的消息将被取消：请立即修复端点。',
  },
  DISABLED: {
    label: '已停用',
    tone: 'danger',
    notice: '其端点失败已达 24 小时，Tradehub 已停止向其发送并取消了待投递的消息。请修复端点后恢复该 Webhook，并通过事件流补齐错过的事件。',
  },
};

export const webhookDeliveriesZhCN: Translation<WebhookDeliveryCatalog> = {
  PENDING: { label: '待投递', tone: 'neutral' },
  SUCCEEDED: { label: '成功', tone: 'success' },
  FAILED: { label: '失败', tone: 'danger' },
  CANCELED: { label: '已取消', tone: 'neutral' },
};

export const webhookTextsZhCN: Translation<WebhookTextsCatalog> = {
  allEventTypes: '全部事件类型',
  list: {
    title: 'Webhook',
    lead: 'Tradehub 将此账户的事件以 POST 方式发送到您的端点，用各 Webhook 的密钥签名，投递失败时在 24 小时内重试。',
    what: '该账户的 Webhook',
    loading: '正在加载 Webhook…',
    endpoints: '端点',
    none: '该账户没有 Webhook。',
    endpoint: '端点',
    eventTypes: '事件类型',
    health: '健康状况',
    state: '状态',
    created: '创建时间',
    active: '启用',
    paused: '已暂停',
    add: '添加 Webhook',
    submit: '添加 Webhook',
    adding: '正在添加…',
    notAdded: 'Webhook 未添加',
    added: (url: string) => `已添加发往 ${url} 的 Webhook。`,
    secretTitle: '您的新 Webhook 的签名密钥',
  },
};
