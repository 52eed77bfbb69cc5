// 月报 download: the monthly report of one month (.xlsx: 三率, 排名, 超期, 诉求明细) in the
// signed-in staff member's scope. In the browser the file is saved; in WeChat it opens in the
// document viewer, from whose menu it can be forwarded or saved (src/api/download.ts).
import { useState } from 'react';
import { Button } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { downloadMonthlyReport } from '../../../api/download';
import { errorMessage } from '../../../api/request';

export interface MonthlyReportButtonProps {
  /** The month, YYYY-MM (China time). The current month is reported up to today (截至). */
  month: string;
  className?: string;
}

/** '2026-11' → '下载2026年11月月报'. */
export const reportButtonLabel = (month: string) => `下载${month.slice(0, 4)}年${Number(month.slice(5, 7))}月月报`;

export function MonthlyReportButton({ month, className = 'btn' }: MonthlyReportButtonProps) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await downloadMonthlyReport(month);
    } catch (e) {
      void Taro.showToast({ title: errorMessage(e), icon: 'none', duration: 2500 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button className={className} loading={busy} disabled={busy} onClick={() => void download()}>
      {busy ? '月报生成中…' : reportButtonLabel(month)}
    </Button>
  );
}
