// The static services directory shown on the 服务 tab: national hotlines only, so the numbers are right
// in any county (later: a catalogue served by the server, with the county's own numbers).
export interface ServiceEntry {
  name: string;
  phone: string;
  note: string;
}

export interface ServiceGroup {
  title: string;
  entries: ServiceEntry[];
}

export const SERVICE_DIRECTORY: ServiceGroup[] = [
  {
    title: '政务热线',
    entries: [
      { name: '12345政务服务便民热线', phone: '12345', note: '咨询、求助、投诉、建议，24小时受理' },
    ],
  },
  {
    title: '紧急电话',
    entries: [
      { name: '报警电话', phone: '110', note: '治安、刑事案件' },
      { name: '火警电话', phone: '119', note: '火灾及抢险救援' },
      { name: '急救电话', phone: '120', note: '医疗急救' },
      { name: '交通事故报警', phone: '122', note: '道路交通事故' },
    ],
  },
  {
    title: '便民电话',
    entries: [
      { name: '供电服务热线', phone: '95598', note: '停电报修、电费查询' },
      { name: '卫生健康热线', phone: '12320', note: '看病就医、卫生健康咨询' },
      { name: '市场监管投诉', phone: '12315', note: '消费维权、食品安全' },
      { name: '医保服务热线', phone: '12393', note: '医保政策、报销咨询' },
      { name: '人社服务热线', phone: '12333', note: '社保、就业咨询' },
    ],
  },
];
