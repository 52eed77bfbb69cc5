// Choosing a .csv or .xlsx on the device and reading it whole (at most IMPORT_MAX_BYTES): in the
// browser through a file input, in WeChat from a chat's files (chooseMessageFile: a phone has no
// file system the mini-program can browse).
import Taro from '@tarojs/taro';
import { IMPORT_MAX_BYTES } from '../../../../api/suggest-import';
import { withPrivacy } from '../../../../utils/privacy';

export interface PickedFile {
  name: string;
  body: ArrayBuffer;
}

const TOO_BIG = '文件超过20MB，请分成几个文件导入';

function pickInBrowser(): Promise<PickedFile | null> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    input.onchange = () => {
      const file = input.files?.[0];
      if (!file) return resolve(null);
      if (file.size > IMPORT_MAX_BYTES) return reject(new Error(TOO_BIG));
      file.arrayBuffer().then((body) => resolve({ name: file.name, body }), reject);
    };
    input.click();
  });
}

async function pickInWeChat(): Promise<PickedFile | null> {
  let chosen: Taro.chooseMessageFile.SuccessCallbackResult | null = null;
  try {
    // A privacy API in WeChat (选中的文件): only once the user has agreed to the privacy guide.
    await withPrivacy(async () => {
      chosen = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: ['csv', 'xlsx'] });
    });
  } catch {
    return null; // cancelled
  }
  const file = (chosen as Taro.chooseMessageFile.SuccessCallbackResult | null)?.tempFiles[0];
  if (!file) return null;
  if (file.size > IMPORT_MAX_BYTES) throw new Error(TOO_BIG);
  const body = await new Promise<ArrayBuffer>((resolve, reject) =>
    Taro.getFileSystemManager().readFile({ filePath: file.path, success: (r) => resolve(r.data as ArrayBuffer), fail: (e) => reject(new Error(e.errMsg)) }),
  );
  return { name: file.name, body };
}

export const pickFile = (): Promise<PickedFile | null> => (process.env.TARO_ENV === 'h5' ? pickInBrowser() : pickInWeChat());
