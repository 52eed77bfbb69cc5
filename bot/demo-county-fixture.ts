/**
 * Stand-in for the demo county's group chats and people, in the same shape as the lead's
 * `server/seed/demo-county.ts` export (`demoCounty.groupChats`, `demoCounty.people`).
 * TODO(lead): once server/seed/demo-county.ts exists, import `demoCounty` from there in
 * bot/simulated-wechat.ts and delete this file.
 */

export interface DemoGroupChat {
  /** Stable WeChat room id; ends in `@chatroom`. */
  roomId: string;
  topic: string;
  /** Code of the community (region level `community`) the group belongs to. */
  communityCode: string;
  /** Contact ids (no `@`) of the members. */
  memberContactIds: string[];
}

export interface DemoPerson {
  /** WeChat contact id (no `@`); people without one have no WeChat in the demo. */
  contactId?: string;
  name: string;
  [extra: string]: unknown;
}

export interface DemoCountyChats {
  groupChats: DemoGroupChat[];
  people: DemoPerson[];
}

export const demoCounty: DemoCountyChats = {
  groupChats: [
    {
      roomId: 'demo-dongcheng-residents@chatroom',
      topic: '东城社区居民群',
      communityCode: 'DC-DONGCHENG',
      memberContactIds: ['wx-staff-dongcheng', 'wx-grid-dongcheng-1', 'wx-resident-01', 'wx-resident-02', 'wx-resident-03'],
    },
    {
      roomId: 'demo-xiguan-residents@chatroom',
      topic: '西关社区邻里群',
      communityCode: 'DC-XIGUAN',
      memberContactIds: ['wx-staff-xiguan', 'wx-resident-04', 'wx-resident-05'],
    },
    {
      roomId: 'demo-nanhu-village@chatroom',
      topic: '南湖村村民群',
      communityCode: 'DC-NANHU',
      memberContactIds: ['wx-staff-nanhu', 'wx-resident-06', 'wx-resident-07'],
    },
  ],
  people: [
    { contactId: 'wx-staff-dongcheng', name: '王丽（东城社区）', role: 'community_staff' },
    { contactId: 'wx-grid-dongcheng-1', name: '赵强（网格员）', role: 'grid_worker' },
    { contactId: 'wx-staff-xiguan', name: '陈静（西关社区）', role: 'community_staff' },
    { contactId: 'wx-staff-nanhu', name: '刘洋（南湖村）', role: 'community_staff' },
    { contactId: 'wx-resident-01', name: '张大爷', role: 'resident' },
    { contactId: 'wx-resident-02', name: '李阿姨', role: 'resident' },
    { contactId: 'wx-resident-03', name: '孙小明', role: 'resident' },
    { contactId: 'wx-resident-04', name: '周师傅', role: 'resident' },
    { contactId: 'wx-resident-05', name: '吴女士', role: 'resident' },
    { contactId: 'wx-resident-06', name: '郑大姐', role: 'resident' },
    { contactId: 'wx-resident-07', name: '冯老师', role: 'resident' },
    { name: '何主任', role: 'editor' },
  ],
};
