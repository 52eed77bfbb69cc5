// Categories of the dispatch catalogue, grouped under their group (公用事业, 交通出行 ...), as
// large chips: easier to read and hit than a scrolling picker wheel.
import { Text, View } from '@tarojs/components';
import type { Category } from '../../api/types';

export function groupCategories(items: Category[]): Array<{ group: string; items: Category[] }> {
  const groups: Array<{ group: string; items: Category[] }> = [];
  const sorted = items.filter((c) => c.active).sort((a, b) => a.sort - b.sort);
  for (const c of sorted) {
    const g = groups.find((x) => x.group === c.group);
    if (g) g.items.push(c);
    else groups.push({ group: c.group, items: [c] });
  }
  return groups;
}

export function CategoryChooser({ categories, value, onChange }: { categories: Category[]; value: string | null; onChange: (id: string) => void }) {
  return (
    <View className='category-chooser'>
      {groupCategories(categories).map((g) => (
        <View className='category-chooser__group' key={g.group}>
          <Text className='category-chooser__group-name'>{g.group}</Text>
          <View className='chips'>
            {g.items.map((c) => (
              <Text className={`chip${value === c.id ? ' chip--on' : ''}`} key={c.id} onClick={() => onChange(c.id)}>
                {c.name}
              </Text>
            ))}
          </View>
        </View>
      ))}
    </View>
  );
}
