// 选择位置 and 查看地图 on their own: WeChat's chooseLocation waits for the privacy agreement; H5 uses
// the browser's position (WGS-84, converted to GCJ-02) with a plain fallback; the map button opens
// WeChat's map page or, in H5, Amap's marker page. chooseLocation and openLocation are the Taro
// stand-in's mocks, so "not called" means the app never reached them.
import { useState } from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro, setPrivacyAgreed } from './stubs/taro';
import { inH5 } from './helpers/in-h5';
import { LOCATION_UNAVAILABLE, LocationPicker, wgs84ToGcj02, type PickedLocation } from '../../src/components/LocationPicker';
import { MapButton } from '../../src/components/MapButton';

const taro = Taro as unknown as Record<string, jest.Mock>;
const CHOSEN = { lat: 28.901234, lng: 118.871987, name: '幸福路便民超市', address: '东溪县城关镇幸福路12号' };

let last: PickedLocation | null = null;
function Picker({ initial = null }: { initial?: PickedLocation | null }) {
  const [value, setValue] = useState<PickedLocation | null>(initial);
  return (
    <LocationPicker
      value={value}
      onChange={(v) => {
        last = v;
        setValue(v);
      }}
    />
  );
}

async function tap(text: string) {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
}

beforeEach(() => {
  resetTaro();
  last = null;
});

test('WeChat: chooseLocation is not called before the privacy agreement; after 同意 the point is shown and removable', async () => {
  // Catches chooseLocation called before the agreement (WeChat blocks it and the form silently gets
  // nothing), a picker that shows no popup to agree in, and a chosen point that cannot be removed.
  setPrivacyAgreed(false);
  render(<Picker />);
  await tap('选择位置');
  expect(screen.getByText('隐私保护提示')).toBeTruthy();
  expect(taro.chooseLocation).not.toHaveBeenCalled();
  await tap('同意');
  expect(taro.chooseLocation).toHaveBeenCalledTimes(1);
  expect(last).toEqual(CHOSEN);
  expect(screen.getByText('幸福路便民超市')).toBeTruthy();
  expect(screen.queryByText('隐私保护提示')).toBeNull();

  await tap('移除');
  expect(last).toBeNull();
  expect(screen.queryByText('幸福路便民超市')).toBeNull();
  expect(screen.getByText('选择位置')).toBeTruthy();
});

test('WeChat: 拒绝 keeps the form without a point and says why; a cancelled map changes nothing', async () => {
  // Catches a declined agreement that still opens the map, a silent decline, and a cancel (WeChat
  // rejects chooseLocation) that clears a point chosen before.
  setPrivacyAgreed(false);
  render(<Picker />);
  await tap('选择位置');
  await tap('拒绝');
  expect(taro.chooseLocation).not.toHaveBeenCalled();
  expect(screen.getByText('需要同意隐私保护指引后才能选择位置')).toBeTruthy();
  expect(last).toBeNull();

  setPrivacyAgreed(true);
  taro.chooseLocation.mockImplementationOnce(() => Promise.reject(new Error('chooseLocation:fail cancel')));
  render(<Picker initial={CHOSEN} />);
  await tap('重新选择位置');
  expect(taro.chooseLocation).toHaveBeenCalledWith({ latitude: CHOSEN.lat, longitude: CHOSEN.lng });
  expect(last).toBeNull(); // onChange never called
  expect(screen.getAllByText('幸福路便民超市')).toHaveLength(1);
});

test('H5: the browser position becomes a GCJ-02 point; refused or missing geolocation leaves a note', () =>
  // Catches a browser's WGS-84 position stored as GCJ-02 (hundreds of metres off on every map in
  // China), WeChat's privacy gate or chooseLocation used in a browser, and a refusal that says nothing.
  inH5(async () => {
    const getCurrentPosition = jest.fn((ok: PositionCallback) => ok({ coords: { latitude: 28.9043, longitude: 118.8669 } } as GeolocationPosition));
    Object.defineProperty(navigator, 'geolocation', { value: { getCurrentPosition }, configurable: true });
    const first = render(<Picker />);
    await tap('选择位置');
    const expected = wgs84ToGcj02(28.9043, 118.8669);
    expect(last!.lat).toBeCloseTo(expected.lat, 6);
    expect(last!.lng).toBeCloseTo(expected.lng, 6);
    // The offset here is a few hundred metres: the stored point is not the raw one.
    expect(Math.abs(last!.lng - 118.8669)).toBeGreaterThan(0.003);
    expect(taro.chooseLocation).not.toHaveBeenCalled();
    expect(Taro.requirePrivacyAuthorize).not.toHaveBeenCalled();
    first.unmount();

    last = null;
    getCurrentPosition.mockImplementationOnce(((_ok: PositionCallback, fail: PositionErrorCallback) => fail({ code: 1, message: 'denied' } as GeolocationPositionError)) as never);
    const second = render(<Picker />);
    await tap('选择位置');
    expect(last).toBeNull();
    expect(screen.getByText(LOCATION_UNAVAILABLE)).toBeTruthy();
    second.unmount();

    Object.defineProperty(navigator, 'geolocation', { value: undefined, configurable: true });
    render(<Picker />);
    await tap('选择位置');
    expect(screen.getByText(LOCATION_UNAVAILABLE)).toBeTruthy();
  }));

test('查看地图 opens WeChat\'s map at the point with its name and address; H5 opens Amap\'s marker page', async () => {
  // Catches lat/lng swapped into openLocation (WeChat shows the sea), the name lost, and an H5 link
  // in another coordinate system than the stored GCJ-02 (Amap's coordinate=gaode).
  const view = { ...CHOSEN, approximate: false };
  const first = render(<MapButton location={view} place='三号楼东门' />);
  await tap('查看地图');
  expect(Taro.openLocation).toHaveBeenCalledWith(expect.objectContaining({ latitude: CHOSEN.lat, longitude: CHOSEN.lng, name: CHOSEN.name, address: CHOSEN.address }));
  first.unmount();

  await inH5(async () => {
    const open = jest.spyOn(window, 'open').mockImplementation(() => null);
    render(<MapButton location={{ lat: 28.9, lng: 118.87, name: null, address: null, approximate: true }} place='三号楼东门' />);
    expect(screen.getByText('地图位置为大致范围')).toBeTruthy();
    await tap('查看地图');
    expect(open).toHaveBeenCalledWith(`https://uri.amap.com/marker?position=118.87,28.9&coordinate=gaode&callnative=0&name=${encodeURIComponent('三号楼东门')}`, '_blank', 'noopener');
    expect(Taro.openLocation).toHaveBeenCalledTimes(1);
    open.mockRestore();
  });
});

test('no point, no map button', () => {
  // Catches a 查看地图 that opens 0,0 for appeals filed without a point.
  render(<MapButton location={null} />);
  expect(screen.queryByText('查看地图')).toBeNull();
});
