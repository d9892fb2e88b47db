import { describe, expect, it } from "vitest";
import { communeKindOf, describeContact, schoolLevelOf } from "../../workers/directory/describe.js";

describe("what the directory reads from names", () => {
  it("tells a commune's kind, with or without diacritics", () => {
    expect(communeKindOf("Phường An Hòa")).toBe("phuong");
    expect(communeKindOf("Xã Tân Lập")).toBe("xa");
    expect(communeKindOf("xa Tan Lap")).toBe("xa");
    expect(communeKindOf("Đặc khu Hòn Ngọc")).toBe("dac-khu");
    expect(communeKindOf("Thị trấn Cũ")).toBeNull();
    expect(communeKindOf("Xã")).toBeNull();
  });

  it("tells a school's level, two levels being liên cấp", () => {
    expect(schoolLevelOf("Trường Mầm non Hoa Sen")).toBe("mam-non");
    expect(schoolLevelOf("Trường Tiểu học An Hòa")).toBe("tieu-hoc");
    expect(schoolLevelOf("Trường THCS Lê Quý Đôn")).toBe("thcs");
    expect(schoolLevelOf("Trường Trung học phổ thông Trần Phú")).toBe("thpt");
    expect(schoolLevelOf("Trường TH và THCS Hòn Ngọc")).toBe("lien-cap");
    expect(schoolLevelOf("Trường Phổ thông liên cấp Sao Mai")).toBe("lien-cap");
    expect(schoolLevelOf("Trường Phổ thông Dân tộc nội trú")).toBeNull();
    // "Thanh" is a word, not the abbreviation TH.
    expect(schoolLevelOf("Trường Mầm non Thanh Bình")).toBe("mam-non");
  });

  it("tells an officer's rank and unit, a duty desk's unit, and a unit", () => {
    expect(describeContact("Thượng úy Nguyễn Văn Minh – Công an phường An Hòa")).toEqual({
      rank: "Thượng úy",
      unit: "Công an phường An Hòa",
      role: "officer",
    });
    expect(describeContact("Đại uý Trần Thị Lan - Công an phường Sông Xanh")).toMatchObject({
      rank: "Đại úy",
      role: "officer",
    });
    expect(describeContact("Trực ban Công an xã Tân Lập")).toEqual({
      rank: null,
      unit: "Công an xã Tân Lập",
      role: "duty-desk",
    });
    expect(describeContact("Phòng Cảnh sát PCCC và CNCH – Công an tỉnh Sông Xanh")).toEqual({
      rank: null,
      unit: "Phòng Cảnh sát PCCC và CNCH – Công an tỉnh Sông Xanh",
      role: "unit",
    });
    expect(describeContact("Anh Ba")).toEqual({ rank: null, unit: null, role: null });
  });
});
